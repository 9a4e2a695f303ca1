package dev.ami.training;

import dev.ami.bus.Transition;
import java.util.SplittableRandom;

/**
 * A bounded store of transitions. When full, a new transition replaces a random old one (reservoir-like),
 * so the buffer keeps a spread over time instead of only the newest. Thread-safe: the bus handler adds,
 * the trainer thread samples.
 */
public final class ReplayBuffer {
  private final Transition[] items;
  private final SplittableRandom random;
  private int size;
  private long added;

  public ReplayBuffer(int capacity, long seed) {
    this.items = new Transition[capacity];
    this.random = new SplittableRandom(seed);
  }

  public synchronized void add(Transition t) {
    if (size < items.length) {
      items[size++] = t;
    } else {
      items[random.nextInt(items.length)] = t;
    }
    added++;
  }

  public synchronized int size() {
    return size;
  }

  public int capacity() {
    return items.length;
  }

  /** Transitions added since the buffer was made (including those replaced since). */
  public synchronized long added() {
    return added;
  }

  /** Copies {@code batch} random observations (with replacement) into {@code out}, frame after frame. */
  public synchronized void sampleObservations(int batch, float[] out) {
    if (size == 0) {
      throw new IllegalStateException("replay buffer is empty");
    }
    int frame = out.length / batch;
    for (int b = 0; b < batch; b++) {
      float[] obs = items[random.nextInt(size)].observation();
      System.arraycopy(obs, 0, out, b * frame, frame);
    }
  }
}
