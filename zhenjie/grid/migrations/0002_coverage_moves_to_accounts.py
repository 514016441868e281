# Coverage moves to the accounts app (beside Post), where kernel.scoping may read it. Only Django's
# picture of the models changes: the table grid_coverage, its rows, constraints and indexes stay
# exactly as they are, and accounts.0003 takes the model over with db_table="grid_coverage".

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('grid', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Coverage')],
            database_operations=[],
        ),
    ]
