package dev.ami.console;

import io.vertx.core.Vertx;
import java.util.Map;

/** Lets tests in other packages use {@link FakeSystem}. */
public final class FakeSystemAccess implements AutoCloseable {
  private final FakeSystem system = new FakeSystem();

  public int start(Map<String, ?> config) throws Exception {
    return system.start(config);
  }

  public Vertx vertx() {
    return system.vertx;
  }

  @Override
  public void close() throws Exception {
    system.close();
  }
}
