"""A coordinator's planning: turf, actions and question sets, holders, drops, packing and progress."""
