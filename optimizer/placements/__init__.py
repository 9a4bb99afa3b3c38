"""ST-A side-service placements: which hospital and start month for each trainee's requirement."""
