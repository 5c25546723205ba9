"""What the cogs share: rendering, the Discord delivery, the error tree, input images, starting jobs."""
