package dev.ami.bus;

import io.vertx.core.eventbus.MessageCodec;

/**
 * What every codec of the runtime's records shares: it is the default codec of one record type, and local
 * delivery passes the record by reference ({@link #transform} returns it): no copy, no serialisation on the tick
 * path. Records hold only immutable data (or arrays that are never written after sending).
 */
public abstract class RecordCodec<T> implements MessageCodec<T, T> {
  private final Class<T> type;
  private final String name;

  RecordCodec(Class<T> type, String kind) {
    this.type = type;
    this.name = kind + "-" + type.getName();
  }

  /** The record type this codec is the default for. */
  public final Class<T> type() {
    return type;
  }

  @Override
  public final T transform(T t) {
    return t;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final byte systemCodecID() {
    return -1;
  }
}
