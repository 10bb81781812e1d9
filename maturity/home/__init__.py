"""The home page that routes each person to what they can do, and the site's statements."""
