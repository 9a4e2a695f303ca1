package dev.ami.agent;

/**
 * How new a view is, from its {@link FrameEmbedding}: the part of NGU's reward that the forward model's surprise
 * multiplies ({@link CuriosityBrain}). Episodic ({@link EpisodicNovelty}) or lifelong ({@link ViewCounts}).
 */
interface ViewNovelty {
  /** The novelty of {@code embedding}, which then counts as seen. */
  double observe(float[] embedding);
}
