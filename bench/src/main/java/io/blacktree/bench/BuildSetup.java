package io.blacktree.bench;

import java.nio.file.Path;

/**
 * What the build sections share: the run's options, its report and temp directory, the bench repositories and the
 * hand-written scripts the worker is measured against.
 */
record BuildSetup(BenchConfig cfg, BuildOptions opts, Report report, Path tmp, BenchRepos repos,
    HandScripts scripts) {

  static BuildSetup of(BenchConfig cfg, BuildOptions opts, Report report, Path tmp) {
    return new BuildSetup(cfg, opts, report, tmp,
        new BenchRepos(cfg.registry(), cfg.files(), cfg.bigMb(), cfg.installMb()),
        new HandScripts(tmp, cfg.registry(), opts));
  }
}
