package io.blacktree.e2e;

import io.blacktree.e2e.support.DeployJobStack;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One {@link DeployJobStack} (two build workers, an orchestrator, the shared RabbitMQ and Temporal) per test
 * class, started before its first test and closed after its last; each test starts with both workers FREE and
 * the orchestrator up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeployJobItBase {
  @TempDir static Path dir;
  static DeployJobStack stack;

  @BeforeAll
  void startStack() throws Exception {
    stack = DeployJobStack.start(getClass(), dir);
  }

  @AfterAll
  void closeStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @BeforeEach
  void workersFreeAndOrchestratorUp() {
    stack.awaitWorkersFreeAndOrchestratorUp();
  }
}
