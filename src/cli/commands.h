/*
 * commands.h - subcommands that parse their own arguments and live in
 * their own files: `holdfast policy ...` and `holdfast intents ...`.
 * Each takes argv starting at its own name and returns the exit status.
 */
#ifndef HF_CLI_COMMANDS_H
#define HF_CLI_COMMANDS_H

#define HF_POLICY_USAGE                                                        \
    "holdfast policy lint FILE...\n"                                           \
    "  Checks policies; prints file:line:col: message for each problem.\n"     \
    "holdfast policy explain FILE\n"                                           \
    "  Prints every line with what it was read as.\n"                          \
    "holdfast policy test FILE --db URL --order NUMBER [--context k=v]...\n"   \
    "                     [--intents MODEL] [--batch]\n"                       \
    "  Talks to the policy as a customer of that order would.\n"

#define HF_INTENTS_USAGE                                                       \
    "holdfast intents train [--data DIR] [--bitext CSV] --out MODEL\n"         \
    "holdfast intents eval [--data DIR] [--bitext CSV]\n"                      \
    "holdfast intents classify [--model MODEL] TEXT\n"                         \
    "holdfast intents bench [--model MODEL] [--n N]\n"                         \
    "  Trains, evaluates, runs and times the customer-message classifier.\n"   \
    "  eval: [--min-f1 F] fails below F; [--tune] picks C by cross-\n"         \
    "  validation on the training split; --no-bitext leaves Bitext out.\n"

int hf_policy_command(int argc, char **argv);
int hf_intents_command(int argc, char **argv);

/* `policy test`, called by hf_policy_command (policy_test.c). */
int hf_policy_test_command(int argc, char **argv);

#endif
