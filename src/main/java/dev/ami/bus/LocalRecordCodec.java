package dev.ami.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes immutable records by reference on local delivery: no copy, no serialisation on the tick path.
 * Records here hold only immutable data (or arrays that are never written after sending).
 * A clustered deployment needs a wire codec instead; this one refuses to encode.
 */
public final class LocalRecordCodec<T> implements MessageCodec<T, T> {
  private final Class<T> type;

  private LocalRecordCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers this codec as the default for every message record of the runtime. */
  public static void registerAll(EventBus bus) {
    for (Class<?> c : new Class<?>[] {ControlCommand.class, ControlReply.class, StepRecord.class,
        ParamsPublished.class, TickRecord.class, TrainRecord.class, Event.class,
        ObservationRecord.class, ExpectedFrameRecord.class, WorldRecord.class, AgentState.class, TrainerState.class,
        CheckpointRecord.class, AgentHandover.class, RedeployRecord.class}) {
      register(bus, c);
    }
  }

  private static <T> void register(EventBus bus, Class<T> c) {
    try {
      bus.registerDefaultCodec(c, new LocalRecordCodec<>(c));
    } catch (IllegalStateException alreadyRegistered) {
      // a second Vert.x launcher in the same JVM (tests) shares nothing else; keep the first codec
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is local-only");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is local-only");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return "local-" + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
