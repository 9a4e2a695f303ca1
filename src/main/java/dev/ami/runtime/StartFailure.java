package dev.ami.runtime;

import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/** One line for a failed start: the whole cause chain, and a hint where one is known. */
public final class StartFailure {
  private StartFailure() {
  }

  public static String describe(Throwable e) {
    List<String> chain = new ArrayList<>();
    boolean portClash = false;
    for (Throwable t = e; t != null && chain.size() < 8; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ExecutionException && t.getCause() != null) {
        continue; // a wrapper that says nothing of its own
      }
      chain.add(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
      portClash |= t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use");
    }
    String text = String.join(" <- caused by ", chain);
    return portClash ? text + " (is another ami running? console.port=0 picks a free port)" : text;
  }
}
