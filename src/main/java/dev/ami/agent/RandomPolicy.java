package dev.ami.agent;

import dev.ami.env.Action;

/** Uniform over the 108 discrete actions: the seed's step-1 exploration. Tick t's choice depends on (seed, t) only. */
public final class RandomPolicy {
  private final long seed;

  public RandomPolicy(long seed) {
    this.seed = seed;
  }

  public Action choose(long tick) {
    return Action.fromIndex(TickRandom.of(seed, tick).nextInt(Action.COUNT));
  }
}
