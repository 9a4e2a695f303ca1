package dev.ami.config;

/**
 * The agent's loop ({@code agent.*}): its rate, how it waits for a tick, its priority, its seed, how it acts in
 * evaluation, and how it is restarted after a crash.
 *
 * @param spinMs the last part of the wait spent spinning instead of sleeping
 * @param greedyEval in evaluation, the most likely action instead of a sample
 */
public record AgentOptions(int hz, double spinMs, boolean realtime, long seed, boolean greedyEval,
                           RestartOptions restart) {
  public static AgentOptions from(AmiConfig c) {
    return new AgentOptions(c.getInt("agent.hz"), c.getDouble("agent.spin_ms"), c.getBool("agent.realtime"),
        c.getLong("agent.seed"), c.getString("agent.eval_actions").equals("greedy"), RestartOptions.from(c, "agent"));
  }
}
