/*
 * commands.h - subcommands that parse their own arguments and live in
 * their own files: `holdfast policy ...`, `holdfast intents ...` and
 * `holdfast risk ...`.
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
    "  validation on the training split; --no-bitext leaves Bitext out;\n"     \
    "  [--cv-errors] lists the training texts cross-validation gets wrong.\n"

#define HF_RISK_USAGE                                                          \
    "holdfast risk train --csv FILE --label COLUMN [--drop COL,COL]\n"         \
    "                    [--rounds N] [--seed N] --model OUT\n"                \
    "  Trains the cancellation-risk model on any CSV with a 0/1 label.\n"      \
    "  Tuning: [--max-depth N] [--eta X] [--subsample X] [--colsample X]\n"    \
    "  [--min-child-weight X] [--max-bin N] [--categorical ordinal|native]\n"  \
    "  [--nthread N].\n"                                                       \
    "holdfast risk eval --csv FILE --label COLUMN --model M\n"                 \
    "                   [--threshold 0.5]\n"                                   \
    "  Prints AUC, accuracy, precision, recall and calibration as JSON.\n"     \
    "holdfast risk split --csv FILE --by COL[,COL...] --fraction F\n"          \
    "                    --train OUT --test OUT\n"                             \
    "  Orders rows by the columns (numbers, month names, text) and writes\n"   \
    "  the first fraction F to --train, the rest to --test.\n"                 \
    "holdfast risk export --db URL --out FILE.csv [--until DATE]\n"            \
    "  Writes one row per order placed before DATE (default: now): its\n"      \
    "  features as they stood at placement, placed_at and cancelled (0/1).\n"

int hf_policy_command(int argc, char **argv);
int hf_intents_command(int argc, char **argv);
int hf_risk_command(int argc, char **argv);

/* `policy test`, called by hf_policy_command (policy_test.c). */
int hf_policy_test_command(int argc, char **argv);

#endif
