package dev.ami.console;

import dev.ami.console.ConsoleRequest.Topic;
import java.util.EnumSet;
import java.util.Set;

/**
 * One connected console client: what it subscribed to, and the rule that keeps a slow client from growing
 * server memory. Pushes are dropped while the client's write queue is full; replies are always written and
 * the socket stops reading until the queue drains, so a client that never reads cannot queue more.
 */
public final class ClientSession {
  /** Where the session writes; a WebSocket in production, a list in tests. */
  public interface Outbox {
    boolean full();

    void send(String text);

    /** Stops reading requests until the outbox has drained. */
    void holdRequests();
  }

  private final Outbox outbox;
  private final Set<Topic> topics = EnumSet.noneOf(Topic.class);
  private long dropped;

  public ClientSession(Outbox outbox) {
    this.outbox = outbox;
  }

  public void subscribe(Set<Topic> wanted) {
    topics.addAll(wanted);
  }

  public boolean wants(Topic topic) {
    return topics.contains(topic);
  }

  /** Sends a push unless the client is behind; returns false when it was dropped. */
  public boolean push(String text) {
    if (outbox.full()) {
      dropped++;
      return false;
    }
    outbox.send(text);
    return true;
  }

  /** Sends the answer to a request; if that fills the queue, reads no more requests until it drains. */
  public void reply(String text) {
    outbox.send(text);
    if (outbox.full()) {
      outbox.holdRequests();
    }
  }

  public long dropped() {
    return dropped;
  }
}
