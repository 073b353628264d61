// N-body gravitational simulation with a symplectic Euler step: double-precision arithmetic
// over a small array of structs, a square root per pair and step.
#include <math.h>
#include <stdio.h>

enum { BODIES = 8, STEPS = 4500000 };

typedef struct {
  double x, y, z, vx, vy, vz, mass;
} Body;

static Body bodies[BODIES];

// A star with planets on roughly circular, slightly inclined orbits (G = 1).
static void setup(void) {
  bodies[0] = (Body){0, 0, 0, 0, 0, 0, 1000.0};
  double px = 0, py = 0, pz = 0;
  for (int i = 1; i < BODIES; ++i) {
    double r = 4.0 + 3.5 * i;
    double speed = sqrt(1000.0 / r);
    double tilt = 0.01 * i;
    Body* b = &bodies[i];
    b->mass = 0.05 * i;
    if (i % 2) {
      b->x = r, b->y = 0, b->z = tilt * r;
      b->vx = 0, b->vy = speed, b->vz = 0;
    } else {
      b->x = 0, b->y = -r, b->z = -tilt * r;
      b->vx = speed, b->vy = 0, b->vz = 0.001 * i;
    }
    px += b->vx * b->mass, py += b->vy * b->mass, pz += b->vz * b->mass;
  }
  // The star balances the planets' momentum so the system stays put.
  bodies[0].vx = -px / bodies[0].mass;
  bodies[0].vy = -py / bodies[0].mass;
  bodies[0].vz = -pz / bodies[0].mass;
}

static void step(double dt) {
  for (int i = 0; i < BODIES; ++i) {
    Body* a = &bodies[i];
    for (int j = i + 1; j < BODIES; ++j) {
      Body* b = &bodies[j];
      double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
      double d2 = dx * dx + dy * dy + dz * dz;
      double mag = dt / (d2 * sqrt(d2));
      a->vx -= dx * b->mass * mag, a->vy -= dy * b->mass * mag, a->vz -= dz * b->mass * mag;
      b->vx += dx * a->mass * mag, b->vy += dy * a->mass * mag, b->vz += dz * a->mass * mag;
    }
  }
  for (int i = 0; i < BODIES; ++i) {
    Body* a = &bodies[i];
    a->x += dt * a->vx, a->y += dt * a->vy, a->z += dt * a->vz;
  }
}

static double energy(void) {
  double e = 0;
  for (int i = 0; i < BODIES; ++i) {
    Body* a = &bodies[i];
    e += 0.5 * a->mass * (a->vx * a->vx + a->vy * a->vy + a->vz * a->vz);
    for (int j = i + 1; j < BODIES; ++j) {
      Body* b = &bodies[j];
      double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
      e -= a->mass * b->mass / sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

int main(void) {
  setup();
  printf("%.9f ", energy());
  for (int s = 0; s < STEPS; ++s) step(0.001);
  printf("%.9f\n", energy());
  return 0;
}
