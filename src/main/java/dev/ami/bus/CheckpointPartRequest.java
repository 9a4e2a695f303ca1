package dev.ami.bus;

/**
 * Asks the trainer node of a split cluster to write its part of a checkpoint: a complete checkpoint under the
 * name the coordinator proposes, with the agent's state it carries. {@link AgentState}'s fields are flattened
 * here so that {@link AgentState} itself can stay local-only.
 *
 * @param id the checkpoint's id, the same in both parts
 * @param sequence the name's proposed sequence; the trainer node takes the larger of it and its own next one.
 *     -1 for a standalone part
 * @param stampMillis the coordinator's clock: the name's stamp and the manifest's {@code created}. For a
 *     standalone part, when the trainer node's stop began
 * @param node the coordinator's node id; null for a standalone part (the trainer node alone, at its stop)
 * @param run the coordinator's run folder name; null when it has none
 * @param agent whether the agent's state is in the fields below
 * @param hidden the forward model's hidden state; null for an agent without one
 */
public record CheckpointPartRequest(String id, long sequence, long stampMillis, String reason, String node,
                                    String run, boolean agent, long ticks, long noFrameTicks, long staleTicks,
                                    long missedTicks, float[] hidden) {
  /** A request from the coordinator, carrying the agent's state (null when the agent did not answer). */
  public static CheckpointPartRequest of(String id, long sequence, long stampMillis, String reason, String node,
                                         String run, AgentState a) {
    if (a == null) {
      return new CheckpointPartRequest(id, sequence, stampMillis, reason, node, run, false, 0, 0, 0, 0, null);
    }
    return new CheckpointPartRequest(id, sequence, stampMillis, reason, node, run, true, a.ticks(),
        a.noFrameTicks(), a.staleTicks(), a.missedTicks(), a.hidden());
  }

  /** The trainer node's own request at its stop, when no coordinator wrote a pair: skipped if one was written since. */
  public static CheckpointPartRequest standalone(String id, String reason, long stopStartedMillis) {
    return new CheckpointPartRequest(id, -1, stopStartedMillis, reason, null, null, false, 0, 0, 0, 0, null);
  }

  public boolean isStandalone() {
    return node == null;
  }

  /** The agent's state this request carries; null when it carries none. */
  public AgentState agentState() {
    return agent ? new AgentState(ticks, noFrameTicks, staleTicks, missedTicks, hidden) : null;
  }
}
