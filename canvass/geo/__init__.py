"""Geography without Flask or the database: file formats, projections and geometry (shapely, pyproj)."""
