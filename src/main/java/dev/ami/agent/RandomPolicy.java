package dev.ami.agent;

import dev.ami.env.Action;
import java.util.SplittableRandom;

/** Uniform over the 108 discrete actions: the seed's step-1 exploration. */
public final class RandomPolicy implements Policy {
  private final SplittableRandom random;

  public RandomPolicy(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public Action choose(float[] latent) {
    return Action.fromIndex(random.nextInt(Action.COUNT));
  }
}
