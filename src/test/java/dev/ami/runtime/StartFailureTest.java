package dev.ami.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.BindException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StartFailureTest {
  @Test
  @DisplayName("a failed start names every cause, and a port clash hints at console.port=0")
  void chainAndHint() {
    Throwable e = new ExecutionException(new IllegalStateException("console did not start",
        new BindException("Address already in use")));
    assertThat(StartFailure.describe(e)).isEqualTo("IllegalStateException: console did not start <- caused by "
        + "BindException: Address already in use (is another ami running? console.port=0 picks a free port)");
    assertThat(StartFailure.describe(new RuntimeException("no model", new ArithmeticException())))
        .isEqualTo("RuntimeException: no model <- caused by ArithmeticException");
  }
}
