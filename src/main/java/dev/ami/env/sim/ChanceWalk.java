package dev.ami.env.sim;

import dev.ami.env.Action;
import dev.ami.osc.InputState;
import java.util.SplittableRandom;

/**
 * What chance covers: the built-in world stepped directly, with no models, no rendering and no clock, under a
 * policy that knows nothing. The physics are the live world's: {@code fps} steps of {@code 1/fps} s a second, the
 * action changing only at the agent's ticks ({@code hz} a second), and coverage counted at every step, as
 * {@link SimWorld} counts it. Each run starts where a live run with the same seed starts ({@link WorldMap#start}).
 */
public final class ChanceWalk {
  /** How chance picks its actions, one choice per tick. */
  public enum Policy {
    /** A fresh uniform action every tick: the random policy of {@code model.preset=autoencoder}. */
    UNIFORM,
    /**
     * A uniform action held for a geometrically distributed number of ticks, mean {@link #MEAN_HOLD}: each tick
     * it is resampled with probability 1/{@link #MEAN_HOLD}.
     */
    PERSISTENT
  }

  /** Mean length of a persistent walk's hold, in ticks. */
  public static final int MEAN_HOLD = 10;

  private ChanceWalk() {
  }

  /**
   * One run.
   *
   * @param seed the start (as {@code sim.seed}); the policy's own draws come from a stream derived from it
   * @return distinct cells visited at the end of minutes 1..{@code minutes}
   */
  public static long[] run(WorldMap map, long seed, Policy policy, int minutes, int hz, int fps) {
    World world = new World(map, map.start(seed));
    Coverage coverage = new Coverage(map);
    // a stream of its own per policy, independent of the start's draws from the same seed
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + policy.ordinal() + 1);
    double dt = 1.0 / fps;
    long stepNanos = 1_000_000_000L / fps;
    long[] perMinute = new long[minutes];
    long ticks = (long) minutes * 60 * hz;
    long step = 0;
    InputState input = InputState.NEUTRAL;
    coverage.visit(world.pose().x(), world.pose().y(), 0);
    for (long tick = 0; tick < ticks; tick++) {
      if (policy == Policy.UNIFORM || tick == 0 || random.nextInt(MEAN_HOLD) == 0) {
        input = InputState.of(Action.fromIndex(random.nextInt(Action.COUNT)));
      }
      // the world steps fps times a second whatever the agent does; the action holds until the next tick
      long stepsBefore = tick * fps / hz;
      long stepsAfter = (tick + 1) * fps / hz;
      for (long s = stepsBefore; s < stepsAfter; s++) {
        world.step(input, dt);
        step++;
        World.Pose p = world.pose();
        coverage.visit(p.x(), p.y(), step * stepNanos);
      }
      if ((tick + 1) % (60L * hz) == 0) {
        perMinute[(int) ((tick + 1) / (60L * hz)) - 1] = coverage.visited();
      }
    }
    return perMinute;
  }
}
