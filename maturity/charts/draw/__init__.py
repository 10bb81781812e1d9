"""One drawing function per chart kind: figures in, a matplotlib ``Figure`` out (never
pyplot, which keeps global state and leaks figures in a long-running worker)."""
