"""Geography: geodata files and downloads, kommuner, branch territories and map credits."""
