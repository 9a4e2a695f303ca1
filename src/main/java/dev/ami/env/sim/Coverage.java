package dev.ami.env.sim;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which floor cells the avatar has stood in, and when it last did: the exploration measure. Written by the
 * world's thread at every simulation step, read from anywhere.
 */
final class Coverage {
  private static final long MINUTE_NANOS = 60_000_000_000L;

  private final int width;
  private final long origin = System.nanoTime();
  private final AtomicLongArray lastVisit; // nanoseconds after origin (plus one) of the last visit; 0 = never
  private final AtomicLong visited = new AtomicLong();
  private final long floorCells;

  Coverage(WorldMap map) {
    this.width = map.width;
    this.lastVisit = new AtomicLongArray(map.width * map.height);
    this.floorCells = map.floorCells();
  }

  void visit(double x, double y, long nanos) {
    int i = (int) Math.floor(y) * width + (int) Math.floor(x);
    if (i < 0 || i >= lastVisit.length()) {
      return;
    }
    if (lastVisit.getAndSet(i, nanos - origin + 1) == 0) {
      visited.incrementAndGet();
    }
  }

  long visited() {
    return visited.get();
  }

  /** Distinct cells visited in the minute before {@code now}. */
  long lastMinute(long now) {
    long n = 0;
    for (int i = 0; i < lastVisit.length(); i++) {
      long t = lastVisit.get(i);
      if (t != 0 && now - origin + 1 - t <= MINUTE_NANOS) {
        n++;
      }
    }
    return n;
  }

  long floorCells() {
    return floorCells;
  }
}
