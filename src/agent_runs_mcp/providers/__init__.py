"""Provider adapters (one module per platform) and the HTTP plumbing they share."""
