package io.blacktree.worker;

import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What most worker ITs start once per class: git repositories served by {@code git daemon} and one worker on
 * the real engine pushing to the open registry. Subclasses add the worker configurations they need themselves.
 */
abstract class WorkerItBase {
  @TempDir static Path dir;
  static GitRepos repos;
  static GitDaemonServer daemon;
  static WorkerFixture worker;

  @BeforeAll
  static void startDaemonAndWorker() throws Exception {
    repos = WorkerFixture.repos(dir);
    daemon = GitDaemonServer.start(repos.baseDir());
    worker = WorkerFixture.start(dir.resolve("w"), daemon.baseUrl());
  }

  @AfterAll
  static void stopDaemonAndWorker() throws Exception {
    worker.close();
    daemon.close();
  }
}
