package io.blacktree.worker;

import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What most worker ITs start once per class: git repositories served by {@code git daemon} and one worker on
 * the real engine pushing to the open registry, configured by {@link #configure} (the test defaults unless a
 * class narrows them, e.g. a checkout bound). Subclasses add other worker configurations they need themselves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WorkerItBase {
  @TempDir static Path dir;
  static GitRepos repos;
  static GitDaemonServer daemon;
  static WorkerFixture worker;

  /** The class's worker configuration: {@code defaults} (WorkerFixture's test defaults) unless overridden. */
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    return defaults;
  }

  @BeforeAll
  void startDaemonAndWorker() throws Exception {
    repos = WorkerFixture.repos(dir);
    daemon = GitDaemonServer.start(repos.baseDir());
    worker = WorkerFixture.start(dir.resolve("w"), daemon.baseUrl(), new NoLogin(WorkerFixture.OPEN_REGISTRY),
        WorkerFixture.gitToken(null), this::configure);
  }

  @AfterAll
  void stopDaemonAndWorker() throws Exception {
    if (worker != null) {
      worker.close();
    }
    if (daemon != null) {
      daemon.close();
    }
  }
}
