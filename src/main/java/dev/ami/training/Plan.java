package dev.ami.training;

import java.util.SplittableRandom;

/**
 * The order a run visits its data in: {@code epochs} passes, each a fresh shuffle of {@code size} items, cut
 * into batches of {@code batch} (a last partial batch is dropped, as a DataLoader with drop_last does).
 */
final class Plan {
  private final int[] order;
  private final int batch;
  private int next;

  Plan(int size, int batch, int epochs, SplittableRandom random) {
    int perEpoch = Math.max(1, size / batch) * batch;
    this.batch = batch;
    this.order = new int[perEpoch * epochs];
    int[] perm = new int[size];
    for (int e = 0; e < epochs; e++) {
      for (int i = 0; i < size; i++) {
        perm[i] = i;
      }
      for (int i = size - 1; i > 0; i--) { // Fisher-Yates
        int j = random.nextInt(i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      for (int i = 0; i < perEpoch; i++) {
        order[e * perEpoch + i] = perm[i % size]; // a buffer smaller than a batch repeats itself
      }
    }
  }

  int steps() {
    return order.length / batch;
  }

  /** Copies the next batch's items into {@code out}; false when the plan is done. */
  boolean next(int[] out) {
    if (next + batch > order.length) {
      return false;
    }
    System.arraycopy(order, next, out, 0, batch);
    next += batch;
    return true;
  }
}
