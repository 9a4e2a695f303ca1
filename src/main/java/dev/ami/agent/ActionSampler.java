package dev.ami.agent;

import dev.ami.model.ActionHeads;
import java.util.SplittableRandom;

/** Samples one choice per action part from the policy's per-part log-probabilities (13, side by side). */
public final class ActionSampler {
  private ActionSampler() {
  }

  /** One index per part, each drawn from its categorical distribution. */
  public static int[] sample(float[] logProbs, SplittableRandom random) {
    int[] parts = new int[ActionHeads.COUNT];
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      int from = ActionHeads.offset(h);
      int size = ActionHeads.SIZES[h];
      double u = random.nextDouble();
      double cumulative = 0;
      int choice = size - 1; // rounding can leave the sum a hair under 1: the last value takes the rest
      for (int i = 0; i < size; i++) {
        cumulative += Math.exp(logProbs[from + i]);
        if (u < cumulative) {
          choice = i;
          break;
        }
      }
      parts[h] = choice;
    }
    return parts;
  }

  /** One index per part: the most probable (the first of equals). */
  public static int[] greedy(float[] logProbs) {
    int[] parts = new int[ActionHeads.COUNT];
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      int from = ActionHeads.offset(h);
      int best = 0;
      for (int i = 1; i < ActionHeads.SIZES[h]; i++) {
        if (logProbs[from + i] > logProbs[from + best]) {
          best = i;
        }
      }
      parts[h] = best;
    }
    return parts;
  }

  /** The log-probability of each part's choice. */
  public static float[] logp(float[] logProbs, int[] parts) {
    float[] out = new float[ActionHeads.COUNT];
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      out[h] = logProbs[ActionHeads.offset(h) + parts[h]];
    }
    return out;
  }

  /** The probabilities themselves, for the console's action panel. */
  public static float[] probabilities(float[] logProbs) {
    float[] p = new float[logProbs.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) Math.exp(logProbs[i]);
    }
    return p;
  }
}
