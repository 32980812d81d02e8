from django.db import migrations, models


CHOICES = [("line", "one node per program line"), ("gate", "one node per binary gate")]


class Migration(migrations.Migration):
    """Exercise.granularity: the rows that exist keep their gate graphs (their variants froze
    gate-level solutions); the default for new exercises is one node per line."""

    dependencies = [
        ("exercises", "0009_feedback_rules_question_tests"),
    ]

    operations = [
        operation
        for model_name in ("exercise", "historicalexercise")  # history rows were gate too
        for operation in (
            migrations.AddField(
                model_name=model_name,
                name="granularity",
                field=models.CharField(choices=CHOICES, default="gate", max_length=4),
                preserve_default=False,
            ),
            migrations.AlterField(
                model_name=model_name,
                name="granularity",
                field=models.CharField(
                    choices=CHOICES, default="line", max_length=4,
                    help_text="Each program line one node (as the notes draw it), or each "
                              "binary gate."),
            ),
        )
    ]
