/* demo.c - placeholder replaced by the demo generator. */
#include "services/demo.h"

hf_rc hf_demo_generate(const hf_services *svc, const hf_demo_options *opt,
                       hf_err *err)
{
    (void)svc;
    (void)opt;
    return hf_fail(err, HF_EINVAL, "unavailable", NULL,
                   "the demo generator is being written");
}
