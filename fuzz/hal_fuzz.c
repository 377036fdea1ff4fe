/* HAL for the fuzzer: output is checked for framing and dropped. */
#include <stdlib.h>

#include "hal.h"

int hal_init(void) { return 0; }
int hal_getc(void) { return -1; }
void hal_write(const uint8_t *p, size_t n)
{
    /* every reply the device sends must be one whole frame: body bytes non-zero, one trailing 0x00 */
    size_t i;
    if (n < 2 || p[n - 1] != 0) abort();
    for (i = 0; i + 1 < n; i++)
        if (p[i] == 0) abort();
}
void hal_exit(int code) { exit(code); }
uint32_t hal_cycles(void) { return 0; }
