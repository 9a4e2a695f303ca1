package dev.ami.agent;

import dev.ami.env.Action;
import java.util.SplittableRandom;

/** Uniform over the 108 discrete actions: the seed's step-1 exploration. */
public final class RandomPolicy {
  private final SplittableRandom random;

  public RandomPolicy(long seed) {
    this.random = new SplittableRandom(seed);
  }

  public Action choose() {
    return Action.fromIndex(random.nextInt(Action.COUNT));
  }
}
