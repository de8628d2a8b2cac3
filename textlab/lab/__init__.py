"""The Lab: the study notes' lessons as live tools (preprocessing, model summaries, experiments, your own model)."""
