// Hiccup meter: spins on CLOCK_MONOTONIC on one CPU and prints every gap over a threshold (the CPU was taken
// away: the hypervisor, an interrupt, a kernel thread). Build: gcc -O2 -o hiccup bench/hiccup.c
// Run one per CPU on an idle machine: ./hiccup CPU SECONDS THRESHOLD_MS > gaps.txt (summary on stderr).
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s CPU SECONDS THRESHOLD_MS\n", argv[0]);
    return 2;
  }
  int cpu = atoi(argv[1]);
  double secs = atof(argv[2]), threshold = atof(argv[3]);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    perror("sched_setaffinity");
    return 1;
  }
  double start = now_ms(), last = start, worst = 0;
  long over1 = 0, over2 = 0, over5 = 0;
  for (;;) {
    double t = now_ms(), gap = t - last;
    last = t;
    if (gap > threshold) {
      printf("%.3f %.3f\n", (t - start) / 1e3, gap); // seconds since start, gap in ms
      fflush(stdout);
    }
    if (gap > worst) worst = gap;
    over1 += gap > 1;
    over2 += gap > 2;
    over5 += gap > 5;
    if (t - start > secs * 1e3) break;
  }
  fprintf(stderr, "cpu %d, %.0f s: largest gap %.3f ms; gaps over 1 ms %ld, over 2 ms %ld, over 5 ms %ld\n", cpu,
          secs, worst, over1, over2, over5);
  return 0;
}
