/* Cortex-M4F HAL for QEMU's mps2-an386: vector table, reset (data/bss, FPU on), CMSDK UART0,
 * SysTick as cycle counter, semihosting exit. */
#include <stdint.h>
#include <string.h>

#include "hal.h"

#define UART0_BASE 0x40004000u
#define UART_DATA (*(volatile uint32_t *)(UART0_BASE + 0x00))
#define UART_STATE (*(volatile uint32_t *)(UART0_BASE + 0x04))
#define UART_CTRL (*(volatile uint32_t *)(UART0_BASE + 0x08))
#define UART_BAUDDIV (*(volatile uint32_t *)(UART0_BASE + 0x10))
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void Reset_Handler(void);
void Default_Handler(void);

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(&_estack), Reset_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, 0, 0, 0, 0,
    Default_Handler, Default_Handler, 0, Default_Handler, Default_Handler,
};

static void semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

void hal_exit(int code)
{
    /* SYS_EXIT_EXTENDED: ADP_Stopped_ApplicationExit with the code */
    uint32_t block[2] = {0x20026u, (uint32_t)code};
    semihost(0x20, block);
    semihost(0x18, (const void *)0x20026u);
    for (;;) {
    }
}

void Default_Handler(void) { hal_exit(3); }

void Reset_Handler(void)
{
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata) *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    SCB_CPACR |= (0xFu << 20); /* CP10, CP11 full access: FPU on */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    hal_exit(main());
}

int hal_init(void)
{
    UART_BAUDDIV = 16;
    UART_CTRL = 0x3; /* TX and RX enable */
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 0x5; /* processor clock, enabled, no interrupt */
    return 0;
}

int hal_getc(void)
{
    while (!(UART_STATE & 0x2u)) {
    }
    return (int)(UART_DATA & 0xFFu);
}

void hal_write(const uint8_t *p, size_t n)
{
    while (n--) {
        while (UART_STATE & 0x1u) {
        }
        UART_DATA = *p++;
    }
}

uint32_t hal_cycles(void) { return SYST_CVR << 8; /* 24-bit down-counter, scaled so wrap-around subtracts right */ }
