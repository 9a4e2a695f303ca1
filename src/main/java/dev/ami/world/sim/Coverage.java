package dev.ami.world.sim;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which floor cells and rooms the avatar has stood in, when it last stood in each cell, and the longest stretch
 * without a new cell: the exploration measure. Times are nanoseconds on any clock that only grows (the live
 * world passes {@link System#nanoTime()}, the chance tool its simulated time). Written by one thread (the world's),
 * read from anywhere.
 */
public final class Coverage {
  private static final long MINUTE_NANOS = 60_000_000_000L;

  private final WorldMap map;
  private final int width;
  private final AtomicLongArray lastVisit; // time (plus one) of the last visit, relative to the first; 0 = never
  private final boolean[] roomSeen;
  private final long floorCells;
  private volatile long visited;
  private volatile int roomsVisited;
  private volatile long origin = Long.MIN_VALUE;
  private volatile long lastNew;
  private volatile boolean lastNewOpen; // rooms were still unvisited when the last new cell was found
  private volatile long longestStall;
  private volatile long longestOpenStall;

  public Coverage(WorldMap map) {
    this.map = map;
    this.width = map.width;
    this.lastVisit = new AtomicLongArray(map.width * map.height);
    this.roomSeen = new boolean[map.roomCount()];
    this.floorCells = map.floorCells();
  }

  /** The avatar stands at (x, y) at time {@code nanos}. */
  public void visit(double x, double y, long nanos) {
    int cx = (int) Math.floor(x);
    int cy = (int) Math.floor(y);
    int i = cy * width + cx;
    if (cx < 0 || cy < 0 || cx >= width || i >= lastVisit.length()) {
      return;
    }
    if (origin == Long.MIN_VALUE) {
      origin = nanos;
      lastNew = nanos;
    }
    if (lastVisit.getAndSet(i, nanos - origin + 1) != 0) {
      return;
    }
    int room = map.roomOf(cx, cy);
    if (room >= 0 && !roomSeen[room]) {
      roomSeen[room] = true;
      roomsVisited++;
    }
    long gap = nanos - lastNew;
    longestStall = Math.max(longestStall, gap);
    if (lastNewOpen) {
      longestOpenStall = Math.max(longestOpenStall, gap);
    }
    lastNew = nanos;
    lastNewOpen = roomsVisited < roomSeen.length;
    visited++;
  }

  public long visited() {
    return visited;
  }

  public int roomsVisited() {
    return roomsVisited;
  }

  public int roomsTotal() {
    return roomSeen.length;
  }

  public long floorCells() {
    return floorCells;
  }

  /** Distinct cells visited in the minute before {@code now}. */
  public long lastMinute(long now) {
    if (origin == Long.MIN_VALUE) {
      return 0;
    }
    long n = 0;
    for (int i = 0; i < lastVisit.length(); i++) {
      long t = lastVisit.get(i);
      if (t != 0 && now - origin + 1 - t <= MINUTE_NANOS) {
        n++;
      }
    }
    return n;
  }

  /**
   * The longest stretches without a new cell up to {@code now}, the one still going included: over the whole
   * run, and over those that began while some room was still unvisited.
   */
  public Stalls stalls(long now) {
    if (origin == Long.MIN_VALUE) {
      return new Stalls(0, 0);
    }
    long ongoing = Math.max(0, now - lastNew);
    return new Stalls(Math.max(longestStall, ongoing),
        lastNewOpen ? Math.max(longestOpenStall, ongoing) : longestOpenStall);
  }

  /** Stall lengths in nanoseconds. */
  public record Stalls(long longestNanos, long longestOpenNanos) {
  }
}
