"""Results: the figures workers compute from responses, and the pages that read them."""
