package dev.ami.world.sim;

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
    // a stream of its own per policy, independent of the start's draws from the same seed
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + policy.ordinal() + 1);
    int[] held = {0};
    TickActions actions = tick -> {
      if (policy == Policy.UNIFORM || tick == 0 || random.nextInt(MEAN_HOLD) == 0) {
        held[0] = random.nextInt(Action.COUNT);
      }
      return held[0];
    };
    return walk(map, map.start(seed), actions, null, minutes, hz, fps);
  }

  /**
   * A live run's own actions, one per tick, replayed from its start, as the live world would have taken them
   * on another day: there the world steps on its own clock and hears each action over UDP, so where one action
   * gives way to the next moves by a world step or so from tick to tick. {@code jitter} draws that: each
   * boundary lands one step early, on time or one step late, uniformly. Movement in the rooms is chaotic (a
   * step's difference at a wall sends the avatar elsewhere), so replays of one trace spread as much as fresh
   * random actions do; what they test is the stepper, against the live world, from the same start with the same
   * actions.
   *
   * @param actions action indices, tick by tick; the walk lasts {@code minutes} or the trace, whichever is shorter
   * @param jitter the boundaries' draws, or null for the chance tool's exact {@code fps / hz} steps a tick
   */
  public static long[] replay(WorldMap map, long seed, int[] actions, SplittableRandom jitter, int minutes, int hz,
      int fps) {
    int usable = (int) Math.min(minutes, actions.length / (60L * hz));
    return walk(map, map.start(seed), tick -> actions[(int) tick], jitter, usable, hz, fps);
  }

  /** The action index to hold from the start of a tick. */
  @FunctionalInterface
  private interface TickActions {
    int at(long tick);
  }

  /**
   * The shared stepper: the world steps {@code fps} times a second whatever the agent does, the action holding
   * until the next tick, and coverage is counted at every step, as {@link SimWorld} counts it.
   */
  private static long[] walk(WorldMap map, World.Pose start, TickActions actions, SplittableRandom jitter,
      int minutes, int hz, int fps) {
    World world = new World(map, start);
    Coverage coverage = new Coverage(map);
    double dt = 1.0 / fps;
    long stepNanos = 1_000_000_000L / fps;
    long[] perMinute = new long[minutes];
    long ticks = (long) minutes * 60 * hz;
    long step = 0;
    long shift = 0; // where this tick's action starts, in steps, against the exact boundary (jitter only)
    coverage.visit(world.pose().x(), world.pose().y(), 0);
    for (long tick = 0; tick < ticks; tick++) {
      InputState input = InputState.of(Action.fromIndex(actions.at(tick)));
      long nextShift = jitter == null || tick + 1 == ticks ? 0 : jitter.nextInt(3) - 1;
      long stepsBefore = tick * fps / hz + shift;
      long stepsAfter = (tick + 1) * fps / hz + nextShift;
      shift = nextShift;
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
