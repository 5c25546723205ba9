"""Image bytes and image sources: sniffing, fitting to upload limits, checking inputs."""
