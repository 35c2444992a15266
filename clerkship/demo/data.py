"""The facts the demo season is built from (modelled on the departments' public program pages)."""

from __future__ import annotations

# Printed with the demo logins on purpose; never used outside the demo season.
DEMO_PASSWORD = "visiting-clerkship-demo"  # noqa: S105  # nosec B105

SITES = [
    ("LA General Medical Center", "LA General", "1200 N State St, Los Angeles, CA 90033"),
    ("Keck Hospital of USC", "Keck", "1500 San Pablo St, Los Angeles, CA 90033"),
    ("Children's Hospital Los Angeles", "CHLA", "4650 Sunset Blvd, Los Angeles, CA 90027"),
]

# slug, name, short code, description
DEPARTMENTS = [
    (
        "emergency-medicine",
        "Emergency Medicine",
        "em",
        "One of the busiest emergency departments in the country, serving a diverse population "
        "that has often lacked access to emergent care. Seats in every block are reserved for "
        "UIM-pathway students, and two residency interview days are reserved for them.",
    ),
    (
        "psychiatry",
        "Psychiatry",
        "psych",
        "Consultation-liaison, inpatient and emergency psychiatry with a curriculum in structural "
        "competency and social justice.",
    ),
    (
        "internal-medicine",
        "Internal Medicine",
        "im",
        "Sub-internships on the wards of a safety-net hospital and the consult services of an "
        "academic medical center.",
    ),
    (
        "pediatrics",
        "Pediatrics",
        "peds",
        "Rotations at Children's Hospital Los Angeles, with mentorship for students from "
        "historically marginalized communities.",
    ),
]

# department slug, code, title, site short name, weeks, prerequisites
ROTATIONS = [
    (
        "emergency-medicine",
        "EM-401",
        "Emergency Medicine Sub-Internship",
        "LA General",
        4,
        "Core clerkships completed; USMLE Step 1 or COMLEX Level 1 passed.",
    ),
    (
        "emergency-medicine",
        "EM-405",
        "Pediatric Emergency Medicine",
        "CHLA",
        4,
        "Pediatrics core clerkship completed.",
    ),
    ("emergency-medicine", "EM-410", "Emergency Ultrasound", "LA General", 2, ""),
    (
        "psychiatry",
        "PSY-401",
        "Consultation-Liaison Psychiatry",
        "Keck",
        4,
        "Psychiatry core clerkship completed.",
    ),
    (
        "psychiatry",
        "PSY-402",
        "Inpatient Psychiatry Sub-Internship",
        "LA General",
        4,
        "Psychiatry core clerkship completed.",
    ),
    ("psychiatry", "PSY-410", "Emergency Psychiatry", "LA General", 2, ""),
    (
        "internal-medicine",
        "IM-401",
        "Medicine Sub-Internship",
        "LA General",
        4,
        "Internal medicine core clerkship completed.",
    ),
    ("internal-medicine", "IM-420", "Cardiology Consult Service", "Keck", 4, ""),
    ("internal-medicine", "IM-430", "Community and Street Medicine", "LA General", 2, ""),
    (
        "pediatrics",
        "PED-401",
        "Pediatric Sub-Internship",
        "CHLA",
        4,
        "Pediatrics core clerkship completed.",
    ),
    ("pediatrics", "PED-420", "Neonatal Intensive Care", "CHLA", 4, ""),
]

STUDENT_NAMES = [
    "Amara Okafor",
    "Luis Hernández",
    "Mei Chen",
    "Jamal Washington",
    "Sofia Ramírez",
    "Daniel Kim",
    "Aaliyah Johnson",
    "Carlos Mendoza",
    "Priya Patel",
    "Tomás Guerrero",
    "Hannah Cohen",
    "Kwame Mensah",
    "Isabella Torres",
    "Nathan Begay",
    "Grace Nguyen",
    "Marcus Brown",
    "Valeria Castillo",
    "Ethan Park",
    "Zainab Abdullahi",
    "Diego Flores",
    "Olivia Martin",
    "Malik Robinson",
    "Camila Ortiz",
    "Ahmed Hassan",
    "Leilani Kahale",
    "Jordan Lee",
    "Ana Lucía Vargas",
    "Samuel Osei",
    "Emily Nakamura",
    "Gabriel Silva",
    "Nia Thompson",
    "Rafael Domínguez",
    "Chloe Dubois",
    "Tyrone Jackson",
    "Maya Singh",
    "Joaquín Morales",
]

MEDICAL_SCHOOLS = [
    ("Howard University College of Medicine", "LCME"),
    ("Morehouse School of Medicine", "LCME"),
    ("Charles R. Drew University of Medicine and Science", "LCME"),
    ("University of New Mexico School of Medicine", "LCME"),
    ("University of Texas Rio Grande Valley School of Medicine", "LCME"),
    ("Meharry Medical College", "LCME"),
    ("UC Davis School of Medicine", "LCME"),
    ("University of Washington School of Medicine", "LCME"),
    ("Touro University California College of Osteopathic Medicine", "COCA"),
    ("Western University of Health Sciences College of Osteopathic Medicine", "COCA"),
    ("Rowan-Virtua School of Osteopathic Medicine", "COCA"),
]
