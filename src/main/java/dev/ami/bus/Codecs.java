package dev.ami.bus;

import io.vertx.core.eventbus.EventBus;
import java.util.List;

/**
 * The runtime's message codecs. Every record passes by reference on local delivery. Those that may cross a JVM
 * boundary in a clustered deployment also have a binary wire format ({@link WireCodec}, layouts in
 * {@link WireFormats}); those that hold native tensors, handles or {@link System#nanoTime()} deadlines stay
 * local-only ({@link LocalRecordCodec}).
 */
public final class Codecs {
  /** The records that never leave their JVM. */
  static final List<Class<?>> LOCAL_ONLY = List.of(AgentState.class, AgentHandover.class);

  private Codecs() {
  }

  /**
   * Registers the default codec of every message record of this package, then {@code more}: the codecs of the
   * records defined above it (snapshots live in {@code params}, which knows its own wire layout).
   */
  public static void registerAll(EventBus bus, List<RecordCodec<?>> more) {
    for (WireCodec<?> codec : WireFormats.ALL) {
      register(bus, codec);
    }
    for (Class<?> c : LOCAL_ONLY) {
      register(bus, new LocalRecordCodec<>(c));
    }
    for (RecordCodec<?> codec : more) {
      register(bus, codec);
    }
  }

  private static <T> void register(EventBus bus, RecordCodec<T> codec) {
    try {
      bus.registerDefaultCodec(codec.type(), codec);
    } catch (IllegalStateException alreadyRegistered) {
      // a second Vert.x launcher in the same JVM (tests) shares nothing else; keep the first codec
    }
  }
}
