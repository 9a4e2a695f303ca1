package dev.ami.agent;

import java.util.SplittableRandom;

/**
 * The agent's random draws of one tick, from the seed and the tick's number alone: a run resumed at tick t draws
 * what the uninterrupted run drew at tick t, and the generator's whole state is (seed, tick), both already in
 * every checkpoint.
 */
final class TickRandom {
  private TickRandom() {
  }

  static SplittableRandom of(long seed, long tick) {
    return new SplittableRandom(mix(mix(seed) + tick));
  }

  /** SplitMix64's finaliser: neighbouring ticks get unrelated streams. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
