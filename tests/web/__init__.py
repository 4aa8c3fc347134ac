"""The web server itself: its settings, its process, its deployment files, its logs and traces."""
