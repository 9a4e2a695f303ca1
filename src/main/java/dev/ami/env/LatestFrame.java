package dev.ami.env;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A one-frame mailbox between a producer thread and the agent: the producer overwrites, the reader never
 * waits. Counts frames nobody took (dropped) and reads that found nothing new (stale); a frame older than
 * the staleness limit is withheld so the agent never acts on an old picture.
 */
public final class LatestFrame {
  private final AtomicReference<Frame> slot = new AtomicReference<>();
  private final AtomicLong produced = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final long maxAgeNanos;
  private volatile long lastTaken = -1;
  private volatile boolean open = true;

  /** @param maxAgeMillis age after which a frame is withheld; 0 = never withheld */
  public LatestFrame(long maxAgeMillis) {
    this.maxAgeNanos = maxAgeMillis <= 0 ? Long.MAX_VALUE : maxAgeMillis * 1_000_000L;
  }

  /** Called by the producer: the new frame replaces the old one. */
  public void publish(Frame frame) {
    produced.incrementAndGet();
    Frame old = slot.getAndSet(frame);
    if (old != null && old.sequence() != lastTaken) {
      dropped.incrementAndGet();
    }
  }

  /** The newest frame, or null when there is none, it is too old, or the source is closed (down). */
  public Frame latest() {
    Frame f = slot.get();
    if (f == null || !open || System.nanoTime() - f.capturedNanos() > maxAgeNanos) {
      return null;
    }
    if (f.sequence() == lastTaken) {
      stale.incrementAndGet();
    }
    lastTaken = f.sequence();
    return f;
  }

  /** Marks the source down (readers get null) or up again. */
  public void setOpen(boolean open) {
    this.open = open;
    if (!open) {
      slot.set(null);
    }
  }

  /** Whether a fresh frame is available now. */
  public boolean fresh() {
    Frame f = slot.get();
    return open && f != null && System.nanoTime() - f.capturedNanos() <= maxAgeNanos;
  }

  public SourceStats stats(boolean up, long reconnects, String detail) {
    return new SourceStats(produced.get(), dropped.get(), stale.get(), up, reconnects, detail);
  }
}
