/* Host HAL: the firmware's serial port is a pseudo-terminal. Prints "PTY <path>" on stdout,
 * then serves on the master side; exits when its parent goes away or on SIGTERM. */
#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hal.h"

static int g_master = -1, g_slave = -1;
static pid_t g_parent;

int hal_init(void)
{
    struct termios t;
    const char *name;
    g_parent = getppid();
    g_master = posix_openpt(O_RDWR | O_NOCTTY);
    if (g_master < 0 || grantpt(g_master) != 0 || unlockpt(g_master) != 0) return -1;
    name = ptsname(g_master);
    if (name == NULL) return -1;
    g_slave = open(name, O_RDWR | O_NOCTTY); /* keep one slave open: no EIO before the host connects */
    if (g_slave < 0 || tcgetattr(g_slave, &t) != 0) return -1;
    cfmakeraw(&t);
    tcsetattr(g_slave, TCSANOW, &t);
    printf("PTY %s\n", name);
    fflush(stdout);
    return 0;
}

int hal_getc(void)
{
    unsigned char c;
    for (;;) {
        struct pollfd p = {g_master, POLLIN, 0};
        int r = poll(&p, 1, 500);
        if (r > 0) {
            ssize_t n = read(g_master, &c, 1);
            if (n == 1) return c;
            if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO) return -1;
        }
        if (getppid() != g_parent) return -1; /* orphaned: the harness is gone */
    }
}

void hal_write(const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(g_master, p, n);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

void hal_exit(int code) { exit(code); }

uint32_t hal_cycles(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* a down-counter, like SysTick: nanoseconds, negated */
    return (uint32_t)0 - (uint32_t)((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}
