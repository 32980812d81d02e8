# Models for the exercises app go here.
