# Sphinx
release = "26.4.1"
