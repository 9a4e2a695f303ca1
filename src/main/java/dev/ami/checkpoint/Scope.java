package dev.ami.checkpoint;

/**
 * What a process takes from a checkpoint. One JVM with the agent and the trainer takes everything; in a split
 * cluster each node takes its own share from its own disk; evaluation and export take the weights alone.
 */
public enum Scope {
  /** The agent and the trainer in one JVM: a whole checkpoint or a trainer part, all of it. */
  ALL(false, false, true),
  /** A split cluster's agent node: any part; parameters and the agent's counters; a subset of the models will do. */
  AGENT(true, true, false),
  /** A split cluster's trainer node: a whole checkpoint or a trainer part; all but the agent's state. */
  TRAINER(false, false, true),
  /** Evaluation and export: any part that holds every configured model; no optimizer decoded, no buffers made. */
  WEIGHTS(true, false, false);

  private final boolean agentPart;
  private final boolean subset;
  private final boolean trainer;

  Scope(boolean agentPart, boolean subset, boolean trainer) {
    this.agentPart = agentPart;
    this.subset = subset;
    this.trainer = trainer;
  }

  /** Whether an agent part (parameters and counters, no optimizer or buffers) will do. */
  public boolean takesAgentPart() {
    return agentPart;
  }

  /**
   * Whether a checkpoint with some of the configured models will do: an agent part written before its node had
   * mirrored every model. The trainer node's next snapshots bring the rest.
   */
  public boolean takesSubset() {
    return subset;
  }

  /** Whether optimizers, counters and buffers are loaded: a trainer runs here. */
  public boolean loadsTrainer() {
    return trainer;
  }

  /** Whether the agent's state is put back: an agent runs here (the trainer node has none). */
  public boolean loadsAgent() {
    return this != TRAINER;
  }
}
