"""The canvasser's evening: the walk list, the door record, sync, leaflet rounds, practice and the printed sheet."""
