"""The Lab: the seed notes' lessons as live tools (preprocessing, model summaries, experiments)."""
