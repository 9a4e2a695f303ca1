package dev.ami.data;

import dev.ami.bus.StepRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The forward model's data: the newest steps in order (FIFO), from which contiguous windows are drawn.
 * A window never reaches across a chain start (a pause or a blind tick) and never has a stale frame where a
 * prediction target would be: a repeated picture after a move is a wrong label. Thread-safe.
 */
public final class StepBuffer {
  private final StepRecord[] ring;
  private int head; // oldest
  private int size;
  private long added;
  private long rejectedWindows;

  public StepBuffer(int capacity) {
    this.ring = new StepRecord[capacity];
  }

  public synchronized void add(StepRecord step) {
    if (size < ring.length) {
      ring[(head + size++) % ring.length] = step;
    } else {
      ring[head] = step;
      head = (head + 1) % ring.length;
    }
    added++;
  }

  public synchronized int size() {
    return size;
  }

  public int capacity() {
    return ring.length;
  }

  public synchronized long added() {
    return added;
  }

  /** Windows drawn but thrown back because they crossed a chain start or had a stale target. */
  public synchronized long rejectedWindows() {
    return rejectedWindows;
  }

  /**
   * A random window of {@code length} contiguous steps, or null when {@code tries} draws found none that is
   * usable (too few steps, or breaks everywhere).
   */
  public synchronized List<StepRecord> window(int length, SplittableRandom random, int tries) {
    if (size < length) {
      return null;
    }
    for (int attempt = 0; attempt < tries; attempt++) {
      int start = random.nextInt(size - length + 1);
      if (usable(start, length)) {
        List<StepRecord> w = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
          w.add(at(start + i));
        }
        return w;
      }
      rejectedWindows++;
    }
    return null;
  }

  private boolean usable(int start, int length) {
    long firstTick = at(start).tick();
    for (int i = 1; i < length; i++) {
      StepRecord s = at(start + i);
      if (s.chainStart() || s.stale() || s.tick() != firstTick + i) {
        return false;
      }
    }
    return true;
  }

  private StepRecord at(int logical) {
    return ring[(head + logical) % ring.length];
  }
}
