package dev.ami.agent;

import dev.ami.bus.Event;
import dev.ami.env.FrameSource;
import dev.ami.env.SourceStats;
import java.util.function.Consumer;

/**
 * Turns a frame source's up/down state into operator events: one when it goes down (the agent holds still),
 * one when frames return (acting resumes by itself). Polled from a timer; reading stats never blocks.
 */
final class SourceWatch {
  private final FrameSource source;
  private final Consumer<Event> events;
  private boolean wasUp; // the first frames announce themselves; a source still warming up is not "down"

  SourceWatch(FrameSource source, Consumer<Event> events) {
    this.source = source;
    this.events = events;
  }

  void check() {
    SourceStats s = source.stats();
    if (s.up() == wasUp) {
      return;
    }
    wasUp = s.up();
    if (s.up()) {
      events.accept(Event.info("source-up", "frames arriving (" + s.reconnects() + " reconnects so far): " + s.detail()));
    } else {
      events.accept(Event.warn("source-down", "no frames; actions are neutral until they return: " + s.detail()));
    }
  }
}
